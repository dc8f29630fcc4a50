"""Production deployment on this machine: several Rasa instances behind nginx (`make prod`)."""
