from errcodegen.cli import main

raise SystemExit(main())
