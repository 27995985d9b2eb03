# A continue in the inner loop must not skip the rest of the outer loop's body.
def nested_continue(n):
    s = 0
    i = 0
    while i < 3:
        i += 1
        j = 0
        while j < 1:
            j += 1
            continue
        if n > 100:
            continue
        s += 1
    return s
