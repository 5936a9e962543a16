"""What to say and how it is delivered: templates, invites, the outbox, Apprise delivery."""
