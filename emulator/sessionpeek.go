package emulator

import "github.com/pollscope/pollscope/session"

// PeekSession reads only the header and the metadata of the session file
// at path: it refuses what OpenSession refuses for a file that is not a
// session, is in a newer format or has no readable metadata, without
// reading the rest, so that a viewer can say so before opening a window
// and then open the session while the window comes up.
func PeekSession(path string) (SessionMeta, error) { return session.PeekFile(path) }
