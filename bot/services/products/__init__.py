"""Products: finding what the customer means, answering attribute questions, recommending."""
