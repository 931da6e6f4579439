from deskguard.cli import main

raise SystemExit(main())
