"""Domain logic. Every function takes an explicit database session; none reads the request."""
