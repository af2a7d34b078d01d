from octavo._console import main

main()
