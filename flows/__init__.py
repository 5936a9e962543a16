"""Prefect flows and deployments: thin, typed, calling the services."""
