"""Development and benchmark data: the demo register and the load generator (bulk, no
services, no audit). Never imported by the product's request paths."""
