from services.composer.server import main

main()
