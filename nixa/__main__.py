from nixa.cli import main

main()
