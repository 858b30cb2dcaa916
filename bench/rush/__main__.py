from bench.rush.main import main

main()
