"""The Post panel: a caption checked as it is typed, the post's checklist, and the posting pack."""
