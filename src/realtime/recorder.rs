//! Recording a call (art. 36), only once everyone present has agreed: each published track is
//! written by a blocking thread of its own — VP8 video into IVF, Opus audio into Ogg — to a
//! temporary file in the blob store, and on stop the file is hashed and moved into the store.

use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rtc::media::io::Writer;
use rtc::media::io::ivf_reader::IVFFileHeader;
use rtc::media::io::ivf_writer::IVFWriter;
use rtc::media::io::ogg_writer::OggWriter;
use rtc::rtp;
use rtc::rtp_transceiver::rtp_sender::RtpCodecKind;
use tokio::sync::broadcast::error::RecvError;

use super::sfu::Publication;

/// What one track's recording holds once finished.
#[derive(Debug, Clone)]
pub struct Written {
    /// Video frames written (IVF) or RTP packets of audio (Ogg).
    pub units: u64,
    pub path: PathBuf,
}

/// A track being recorded.
pub struct TrackRecorder {
    pub publication: String,
    pub publisher: String,
    pub kind: RtpCodecKind,
    pub started_at: DateTime<Utc>,
    pump: tokio::task::JoinHandle<()>,
    writer: tokio::task::JoinHandle<std::io::Result<Written>>,
}

enum Sink {
    Video(IVFWriter<BufWriter<File>>),
    // Boxed: the Ogg writer carries a page buffer, far larger than the IVF writer.
    Audio(Box<OggWriter<BufWriter<File>>>),
}

impl Sink {
    fn create(kind: RtpCodecKind, path: &Path) -> std::io::Result<Sink> {
        let file = BufWriter::new(File::create(path)?);
        let sink = match kind {
            RtpCodecKind::Audio => OggWriter::new(file, 48000, 2).map(|w| Sink::Audio(Box::new(w))),
            _ => IVFWriter::new(
                file,
                &IVFFileHeader {
                    signature: *b"DKIF",
                    version: 0,
                    header_size: 32,
                    four_cc: *b"VP80",
                    // Patched from the first keyframe on close.
                    width: 0,
                    height: 0,
                    timebase_denominator: 30,
                    timebase_numerator: 1,
                    num_frames: 0,
                    unused: 0,
                },
            )
            .map(Sink::Video),
        };
        sink.map_err(std::io::Error::other)
    }

    fn write(&mut self, packet: &rtp::Packet) -> std::io::Result<()> {
        match self {
            Sink::Video(w) => w.write_rtp(packet),
            Sink::Audio(w) => w.write_rtp(packet),
        }
        .map_err(std::io::Error::other)
    }

    fn close(&mut self) -> std::io::Result<()> {
        match self {
            Sink::Video(w) => w.close(),
            Sink::Audio(w) => w.close(),
        }
        .map_err(std::io::Error::other)
    }
}

impl TrackRecorder {
    /// Starts recording a publication into `path` (a temporary path of the blob store).
    pub fn start(publication: &Publication, path: PathBuf, now: DateTime<Utc>) -> TrackRecorder {
        let kind = publication.kind;
        let mut packets = publication.subscribe();
        // The writer thread blocks on a plain channel; the pump moves packets to it from the
        // async side. Aborting the pump drops the sender, which is the writer's end of input.
        let (tx, rx) = std::sync::mpsc::channel::<rtp::Packet>();
        let keyframes = publication.keyframe_requester();
        let pump = tokio::spawn(async move {
            // A recording must begin with a keyframe to be playable.
            keyframes.request().await;
            loop {
                match packets.recv().await {
                    Ok(packet) => {
                        if tx.send(packet).is_err() {
                            break;
                        }
                    }
                    Err(RecvError::Lagged(_)) => keyframes.request().await,
                    Err(RecvError::Closed) => break,
                }
            }
        });
        let writer = tokio::task::spawn_blocking(move || {
            let mut sink = Sink::create(kind, &path)?;
            let mut units = 0u64;
            let mut last_ts = None;
            while let Ok(packet) = rx.recv() {
                match kind {
                    RtpCodecKind::Audio => units += 1,
                    // A frame ends with the marker bit; count distinct timestamps that did.
                    _ if packet.header.marker && last_ts != Some(packet.header.timestamp) => {
                        last_ts = Some(packet.header.timestamp);
                        units += 1;
                    }
                    _ => {}
                }
                sink.write(&packet)?;
            }
            sink.close()?;
            drop(sink);
            if kind != RtpCodecKind::Audio {
                units = patch_ivf_header(&path)?;
            }
            Ok(Written { units, path })
        });
        TrackRecorder {
            publication: publication.id.clone(),
            publisher: publication.publisher.clone(),
            kind,
            started_at: now,
            pump,
            writer,
        }
    }

    /// Stops and waits for the file to be complete on disk.
    pub async fn finish(self) -> std::io::Result<Written> {
        self.pump.abort();
        let _ = self.pump.await;
        self.writer
            .await
            .map_err(|e| std::io::Error::other(format!("recording thread: {e}")))?
    }
}

/// Writes the picture size of the first keyframe into the IVF header (players size their
/// window from it) and returns the number of frames the file holds.
fn patch_ivf_header(path: &Path) -> std::io::Result<u64> {
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)?;
    let mut header = [0u8; 32];
    file.read_exact(&mut header)?;
    let frames = u64::from(u32::from_le_bytes([
        header[24], header[25], header[26], header[27],
    ]));
    let mut frame_header = [0u8; 12];
    if file.read_exact(&mut frame_header).is_err() {
        return Ok(frames);
    }
    let mut first = [0u8; 10];
    if file.read_exact(&mut first).is_ok() && first[3..6] == [0x9d, 0x01, 0x2a] {
        // A VP8 keyframe: start code, then 14-bit width and height (RFC 6386, 9.1).
        let width = u16::from_le_bytes([first[6], first[7]]) & 0x3fff;
        let height = u16::from_le_bytes([first[8], first[9]]) & 0x3fff;
        file.seek(SeekFrom::Start(12))?;
        file.write_all(&width.to_le_bytes())?;
        file.write_all(&height.to_le_bytes())?;
    }
    file.sync_all()?;
    Ok(frames)
}
