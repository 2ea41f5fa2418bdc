from services.audio.server import main

main()
