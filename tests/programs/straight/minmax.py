def minmax(x, y):
    return abs(x - y) + min(x, y) * max(x, -y)
