from pgcli.cli import main

main()
