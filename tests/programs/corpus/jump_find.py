# expect: yes
def find(n):
    for i in range(n):
        if i * i > n:
            return i
    return -1
