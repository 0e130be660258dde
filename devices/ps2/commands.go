package ps2

// writeCommand is the guest's write to port 0x64: a controller command. A
// command that was still waiting for its parameter is abandoned.
func (c *Controller) writeCommand(cmd byte) {
	c.s.LastWasCmd = true
	c.s.AwaitParam = 0
	if cmd&pulseOutputMask == pulseOutputMask {
		// 0xF0-0xFF pulse the output port bits 0-3 whose command bits are
		// 0 for about 6 µs; only bit 0, the reset line, does anything.
		if cmd&OutputReset == 0 {
			c.pulseReset()
		}
		return
	}
	switch cmd {
	case CmdReadConfig:
		c.answer(c.s.Config, false, false)
	case CmdWriteConfig, CmdWriteOutput, CmdWriteKbdOut, CmdWriteAuxOut, CmdWriteAux:
		// The parameter follows on port 0x60.
		c.s.AwaitParam = cmd
	case CmdDisableAux:
		c.s.Config |= ConfigDisableAux
	case CmdEnableAux:
		c.s.Config &^= ConfigDisableAux
	case CmdTestAux, CmdTestKbd:
		c.answer(InterfaceOK, false, false)
	case CmdSelfTest:
		c.s.SystemFlag = true
		c.answer(SelfTestPassed, false, false)
	case CmdDisableKbd:
		c.s.Config |= ConfigDisableKbd
	case CmdEnableKbd:
		c.s.Config &^= ConfigDisableKbd
	case CmdReadInput:
		c.answer(InputPortValue, false, false)
	case CmdReadOutput:
		c.answer(c.outputPort(), false, false)
	case CmdDisableA20:
		c.s.OutputPort &^= OutputA20
	case CmdEnableA20:
		c.s.OutputPort |= OutputA20
	default:
		// Other commands (RAM reads and writes, vendor extensions) are
		// ignored, as QEMU ignores them.
	}
	c.service()
}

// outputPort returns the output port as command 0xD0 reads it, with the two
// output-buffer-full bits showing the buffer's present state.
func (c *Controller) outputPort() byte {
	p := c.s.OutputPort &^ (OutputKbdOBF | OutputAuxOBF)
	if c.s.Output.Full {
		if c.s.Output.Aux {
			p |= OutputAuxOBF
		} else {
			p |= OutputKbdOBF
		}
	}
	return p
}

// writeData is the guest's write to port 0x60: the parameter of the
// controller command that awaits one, or else a byte for the keyboard.
func (c *Controller) writeData(v byte) {
	c.s.LastWasCmd = false
	cmd := c.s.AwaitParam
	c.s.AwaitParam = 0
	switch cmd {
	case CmdWriteConfig:
		if (c.s.Config^v)&ConfigXLATE != 0 {
			c.s.BreakPending = false
		}
		c.s.Config = v
	case CmdWriteOutput:
		c.s.OutputPort = v
		if v&OutputReset == 0 {
			c.pulseReset()
		}
	case CmdWriteKbdOut:
		c.answer(v, false, false)
	case CmdWriteAuxOut:
		c.answer(v, true, false)
	case CmdWriteAux:
		// The controller clocks the byte out of the aux port; no mouse
		// clocks it in, so it reports a timeout.
		c.answer(AuxNoDevice, true, true)
	default:
		c.s.Keyboard.receive(v)
	}
	c.service()
}
