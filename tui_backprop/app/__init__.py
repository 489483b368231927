"""The Textual app: widgets render Snapshots, keys send commands to the Runner."""
