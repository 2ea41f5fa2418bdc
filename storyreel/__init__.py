"""The kit every storyreel process shares: domain models, generated contracts, settings,
the gRPC server/client kit, the artifact store, logging and the ffmpeg runner.

Keep it small and boring: service logic lives in services/, orchestration in gateway/.
"""
