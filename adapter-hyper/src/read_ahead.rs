//! Read-ahead for a WebSocket connection: one system call takes what the socket holds (up to
//! [`CHUNK`] bytes) although the codec asks for a few bytes at a time, and the connection
//! holds no buffer of its own while it is idle.
//!
//! tungstenite's read buffer lives as long as the connection and bounds every read it makes,
//! so it is kept tiny (idle memory per connection is a target); on its own that would cost a
//! `recvfrom` per 64 bytes. [`ReadAhead`] sits in between: a read the codec asks for is served
//! from a chunk the connection borrowed from its thread's spare while it is busy, and the
//! chunk goes back to the spare as soon as the socket has nothing more (the read that finds
//! nothing returns `Pending` and releases it), so an idle connection keeps only an empty
//! `Option`.

use hyper::rt::{Read, ReadBuf, ReadBufCursor};
use std::cell::Cell;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Bytes taken from the socket per read system call at most.
pub(crate) const CHUNK: usize = 16 * 1024;

thread_local! {
    /// The chunk the last connection to go idle on this thread gave back: the next busy
    /// connection takes it, so a thread allocates one while connections take turns.
    static SPARE: Cell<Option<Box<[u8]>>> = const { Cell::new(None) };
}

/// Bytes read from the socket and not yet handed to the codec; empty (no chunk) while the
/// connection is idle.
#[derive(Debug, Default)]
pub(crate) struct ReadAhead {
    /// The borrowed chunk with its unread range, `chunk[at..end]`.
    held: Option<Box<Held>>,
}

#[derive(Debug)]
struct Held {
    chunk: Box<[u8]>,
    at: usize,
    end: usize,
}

impl ReadAhead {
    /// Reads into `dst` what is left of an earlier read, else reads a chunk from `io` and
    /// hands out what fits. Finding nothing (`Pending`), the end of the stream or an error
    /// gives the chunk back to the thread's spare.
    pub(crate) fn poll_read<I: Read + Unpin>(
        &mut self,
        io: &mut I,
        cx: &mut Context<'_>,
        mut dst: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        if let Some(held) = self.held.as_mut().filter(|h| h.at < h.end) {
            let n = dst.remaining().min(held.end - held.at);
            dst.put_slice(&held.chunk[held.at..held.at + n]);
            held.at += n;
            return Poll::Ready(Ok(()));
        }
        if dst.remaining() >= CHUNK {
            // A read this big gains nothing from the chunk.
            self.release();
            return Pin::new(io).poll_read(cx, dst);
        }
        let held = self.held.get_or_insert_with(|| {
            let chunk = SPARE
                .take()
                .unwrap_or_else(|| vec![0; CHUNK].into_boxed_slice());
            Box::new(Held {
                chunk,
                at: 0,
                end: 0,
            })
        });
        let mut read = ReadBuf::new(&mut held.chunk);
        match Pin::new(io).poll_read(cx, read.unfilled()) {
            Poll::Ready(Ok(())) => {
                let got = read.filled().len();
                if got == 0 {
                    self.release();
                    return Poll::Ready(Ok(()));
                }
                let n = dst.remaining().min(got);
                dst.put_slice(&held.chunk[..n]);
                held.at = n;
                held.end = got;
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => {
                self.release();
                Poll::Ready(Err(e))
            }
            Poll::Pending => {
                self.release();
                Poll::Pending
            }
        }
    }

    /// Whether bytes read from the socket are waiting for the codec.
    #[cfg(test)]
    fn buffered(&self) -> usize {
        self.held.as_ref().map_or(0, |h| h.end - h.at)
    }

    /// Gives the chunk back to the thread's spare (only called with nothing left unread).
    fn release(&mut self) {
        if let Some(held) = self.held.take() {
            SPARE.set(Some(held.chunk));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::VecDeque;
    use std::task::Waker;

    /// A socket that has `arrivals` to give, one per read, then nothing (`Pending`) or, once
    /// `closed`, the end of the stream.
    struct FakeSocket {
        arrivals: VecDeque<Vec<u8>>,
        closed: bool,
        reads: usize,
    }

    impl FakeSocket {
        fn new(arrivals: &[&[u8]]) -> Self {
            FakeSocket {
                arrivals: arrivals.iter().map(|a| a.to_vec()).collect(),
                closed: false,
                reads: 0,
            }
        }
    }

    impl Read for FakeSocket {
        fn poll_read(
            mut self: Pin<&mut Self>,
            _cx: &mut Context<'_>,
            mut buf: ReadBufCursor<'_>,
        ) -> Poll<io::Result<()>> {
            self.reads += 1;
            match self.arrivals.pop_front() {
                Some(mut bytes) => {
                    let n = bytes.len().min(buf.remaining());
                    buf.put_slice(&bytes[..n]);
                    if n < bytes.len() {
                        self.arrivals.push_front(bytes.split_off(n));
                    }
                    Poll::Ready(Ok(()))
                }
                None if self.closed => Poll::Ready(Ok(())),
                None => Poll::Pending,
            }
        }
    }

    /// Reads like tungstenite does, `size` bytes at a time, until the socket has nothing.
    fn read_all(ahead: &mut ReadAhead, socket: &mut FakeSocket, size: usize) -> Vec<u8> {
        let mut cx = Context::from_waker(Waker::noop());
        let mut out = Vec::new();
        loop {
            let mut buf = vec![0u8; size];
            let mut read = ReadBuf::new(&mut buf);
            match ahead.poll_read(socket, &mut cx, read.unfilled()) {
                Poll::Ready(Ok(())) if read.filled().is_empty() => return out,
                Poll::Ready(Ok(())) => out.extend_from_slice(read.filled()),
                Poll::Ready(Err(e)) => panic!("read failed: {e}"),
                Poll::Pending => return out,
            }
        }
    }

    #[test]
    fn a_burst_of_small_frames_takes_one_socket_read() {
        let burst: Vec<u8> = (0..200u8).collect();
        let mut socket = FakeSocket::new(&[&burst]);
        let mut ahead = ReadAhead::default();
        assert_eq!(read_all(&mut ahead, &mut socket, 64), burst);
        // One read brought the burst, one found nothing.
        assert_eq!(socket.reads, 2);
    }

    #[test]
    fn an_idle_connection_holds_no_chunk() {
        let mut socket = FakeSocket::new(&[b"hello", b" world"]);
        let mut ahead = ReadAhead::default();
        let mut cx = Context::from_waker(Waker::noop());
        let mut buf = [0u8; 3];
        let mut read = ReadBuf::new(&mut buf);
        assert!(ahead
            .poll_read(&mut socket, &mut cx, read.unfilled())
            .is_ready());
        assert_eq!(read.filled(), b"hel");
        assert_eq!(ahead.buffered(), 2);
        assert_eq!(read_all(&mut ahead, &mut socket, 3), b"lo world");
        assert!(
            ahead.held.is_none(),
            "the chunk went back when reading found nothing"
        );
        assert!(
            SPARE.take().is_some(),
            "the thread keeps it for the next connection"
        );
    }

    #[test]
    fn bytes_arriving_in_pieces_come_out_whole_and_in_order() {
        let pieces: Vec<Vec<u8>> = (0..50u8).map(|i| vec![i; 1 + i as usize * 37]).collect();
        let refs: Vec<&[u8]> = pieces.iter().map(|p| p.as_slice()).collect();
        let mut socket = FakeSocket::new(&refs);
        let mut ahead = ReadAhead::default();
        assert_eq!(read_all(&mut ahead, &mut socket, 64), pieces.concat());
    }

    #[test]
    fn more_than_a_chunk_arriving_at_once_takes_one_read_per_chunk() {
        let big = vec![7u8; CHUNK * 2 + 10];
        let mut socket = FakeSocket::new(&[&big]);
        let mut ahead = ReadAhead::default();
        assert_eq!(read_all(&mut ahead, &mut socket, 64), big);
        assert_eq!(socket.reads, 4);
    }

    #[test]
    fn end_of_stream_is_reported_after_the_buffered_bytes() {
        let mut socket = FakeSocket::new(&[b"last words"]);
        socket.closed = true;
        let mut ahead = ReadAhead::default();
        assert_eq!(read_all(&mut ahead, &mut socket, 4), b"last words");
        assert!(ahead.held.is_none());
    }

    #[test]
    fn a_read_as_big_as_a_chunk_goes_straight_to_the_socket() {
        let data = vec![1u8; 100];
        let mut socket = FakeSocket::new(&[&data]);
        let mut ahead = ReadAhead::default();
        assert_eq!(read_all(&mut ahead, &mut socket, CHUNK), data);
        assert!(ahead.held.is_none());
    }
}
