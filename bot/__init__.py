"""Chinese e-commerce customer-service assistant built on Rasa Open Source 3.6."""
