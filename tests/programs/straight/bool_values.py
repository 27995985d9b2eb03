# `or` / `and` give an operand, `not` and comparisons give 0 / 1, the right operand is evaluated
# only when needed (no ZeroDivisionError from y // x when x is truthy).
def bool_values(x, y, z):
    a = (x or y // x) * 100 + (x and y and z) * 10
    b = (not y) + (x < y < z // y if y else -1)
    return a + b * (z or y or -3)
