def floor(a, b):
    if b == 0:
        return 0
    return (a // b) * 1000 + a % b
