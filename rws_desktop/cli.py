def main():
    print("rws")
