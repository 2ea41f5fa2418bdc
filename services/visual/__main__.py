from services.visual.server import main

main()
