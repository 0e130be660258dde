// Package view is the pollscope GUI's view model: everything the window
// shows, computed in plain Go from the emulator's trace model and console,
// without a window or a graphics library.
//
// The ebiten layer (package ui) feeds it input (pointer, wheel, keys) and a
// fresh trace.Model and emulator.Screen every frame, and draws the Scene it
// returns: filled rectangles, lines with arrowheads, text in the UI font and
// glyphs of the VGA font. Layout, hit-testing, the timeline's level of detail,
// ruler ticks, wake-arrow endpoints, colours, the task table and the status
// line all live here and are unit-tested.
//
// # Timeline level of detail
//
// The trace model keeps, per lane, its spans in time order with running
// sums of their durations (trace.SpanList): the view reads them as they
// are and keeps no index of its own. Drawing a lane walks its spans in the
// viewport: a span at least MinDetailPx wide is drawn as itself; a run of
// smaller ones is merged into one pixel column whose shade says how much of
// the column's time was busy, found with two searches and a subtraction. A
// frame therefore costs O(lanes × pixel columns × log n), however many
// millions of events the trace holds; and a view entirely before the
// model's watermark (trace.Model.Final) keeps its items from frame to frame.
package view
