"""After-sales: returns, exchanges and refunds, their tickets and the replies about them."""
