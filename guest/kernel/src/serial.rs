//! 16550A UART on COM1 (I/O base 0x3F8), transmit only, polled.
//!
//! Registers (offset from the base; DLAB = LCR bit 7 selects the divisor
//! latch at offsets 0/1):
//!   0 THR (write) / divisor low   1 IER / divisor high   2 FCR (write)
//!   3 LCR   4 MCR   5 LSR (bit 5 THRE: the transmit holding register is empty)
//!
//! With the FIFOs on, THRE means the whole 16-byte transmit FIFO is empty,
//! so after seeing it set the driver writes up to 16 bytes without looking
//! again (as Linux's 8250 driver does), with one `rep outsb`. Each port
//! access is a VM exit, so this halves the cost of printing. Port I/O
//! needs CPL0: the console calls in through `ring::privileged`.

use crate::port::{inb, outb, outsb};

const COM1: u16 = 0x3F8;

const THR: u16 = 0;
const IER: u16 = 1;
const DLL: u16 = 0;
const DLM: u16 = 1;
const FCR: u16 = 2;
const LCR: u16 = 3;
const MCR: u16 = 4;
const LSR: u16 = 5;

const LCR_DLAB: u8 = 0x80;
const LCR_8N1: u8 = 0x03; // 8 data bits, no parity, 1 stop bit
const FCR_ENABLE_CLEAR_14: u8 = 0xC7; // FIFOs on, both cleared, RX trigger at 14 bytes
const MCR_DTR_RTS_OUT2: u8 = 0x0B; // OUT2 gates the UART's IRQ line on PCs
const LSR_THRE: u8 = 0x20;
const TX_FIFO_BYTES: u8 = 16;

pub struct Serial {
    base: u16,
    /// Bytes that can still go into the transmit FIFO without a THRE check.
    tx_room: u8,
}

impl Serial {
    pub const fn com1() -> Self {
        Serial { base: COM1, tx_room: 0 }
    }

    /// The standard initialisation sequence: interrupts off, 115200 baud
    /// (divisor 1 of the 1.8432 MHz / 16 clock), 8N1, FIFOs on, DTR/RTS/OUT2.
    pub fn init(&mut self) {
        outb(self.base + IER, 0x00);
        outb(self.base + LCR, LCR_DLAB);
        outb(self.base + DLL, 0x01);
        outb(self.base + DLM, 0x00);
        outb(self.base + LCR, LCR_8N1);
        outb(self.base + FCR, FCR_ENABLE_CLEAR_14);
        outb(self.base + MCR, MCR_DTR_RTS_OUT2);
        self.tx_room = 0;
    }

    /// Send `bytes`, each once the transmit FIFO has room. An absent UART
    /// reads 0xFF, which has THRE set, so this never hangs.
    pub fn write_all(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            if self.tx_room == 0 {
                while inb(self.base + LSR) & LSR_THRE == 0 {
                    core::hint::spin_loop();
                }
                self.tx_room = TX_FIFO_BYTES;
            }
            let (now, rest) = bytes.split_at(bytes.len().min(self.tx_room as usize));
            outsb(self.base + THR, now);
            self.tx_room -= now.len() as u8;
            bytes = rest;
        }
    }
}
