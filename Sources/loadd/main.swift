print("loadd")
