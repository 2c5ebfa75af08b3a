"""Services: every function that writes. One state change = one function, one transaction."""
