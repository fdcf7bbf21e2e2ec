# sim/wave/view.tcl - applied by `gtkwave -S sim/wave/view.tcl DUMP VIEW.gtkw`
# (make wave, make wave-png; sim/wave/wave.mk).
#
# Zooms to the window that sim/wave/gtkw_gen.py wrote into the save file
# ("[*] wave_window T0 T1": GTKWave's own zoom value in a save file depends
# on the window's width at load time, a time range does not) and puts the
# primary marker on the first job's accept edge again.  With WAVE_PNG set
# in the environment it renders the view to that PNG and quits (headless,
# under xvfb-run); otherwise GTKWave stays open.

proc wave_window {} {
    set save [gtkwave::getSaveFileName]
    if {[catch {open $save r} f]} {
        puts "view.tcl: cannot read the save file '$save': $f"
        return
    }
    set win {}
    set mark {}
    while {[gets $f line] >= 0} {
        if {[regexp {^\[\*\] wave_window (\d+) (\d+)} $line -> t0 t1]} { set win [list $t0 $t1] }
        if {[regexp {^\*[-0-9.]+ (-?\d+)} $line -> m]} { set mark $m }
    }
    close $f
    if {$win eq {}} {
        puts "view.tcl: no '\[*\] wave_window' line in $save (not written by gtkw_gen.py?): zoom left as saved"
        return
    }
    gtkwave::setZoomRangeTimes [lindex $win 0] [lindex $win 1]
    if {$mark ne {} && $mark >= 0} { gtkwave::setMarker $mark }
    puts "view.tcl: window [lindex $win 0]..[lindex $win 1], [gtkwave::getTotalNumTraces] traces"
}

if {[catch wave_window err]} { puts "view.tcl: $err" }

if {[info exists ::env(WAVE_PNG)] && $::env(WAVE_PNG) ne ""} {
    gtkwave::/File/Grab_To_File $::env(WAVE_PNG)
    gtkwave::/File/Quit
}
