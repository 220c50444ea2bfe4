"""The Vet photos workspace, where comms staff check photos and export safe copies."""
