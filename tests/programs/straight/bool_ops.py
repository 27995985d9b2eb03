# `or` and `and` return one of their operands, not a truth value: 0 or 5 == 5.
def bool_ops(x, y):
    return x or y
