from tracer_tui.cli import main

main()
