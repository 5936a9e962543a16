"""The reporting cycle's rules (periods, due dates, ladder, 序时进度) and the services applying them."""
