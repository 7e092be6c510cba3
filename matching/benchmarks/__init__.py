"""What the engine is measured and tested against, away from runtime code: synthetic markets with the
region's shape (`synthetic`), the per-pair reference implementation of the rules (`reference`) and the
yardsticks a coordinator could have used instead (`yardsticks`: a greedy over every feasible pair, and the
most places any assignment can fill)."""
