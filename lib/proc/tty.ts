// The controlling terminal's name from the tty_nr field of /proc/PID/stat, as ps prints it.

/** Linux dev_t split (new_encode_dev): major in bits 8–19, minor in bits 0–7 and 20–31. */
function splitDevice(ttyNr: number): [major: number, minor: number] {
  return [(ttyNr >>> 8) & 0xfff, (ttyNr & 0xff) | ((ttyNr >>> 12) & 0xfff00)];
}

/** 'pts/3', 'tty1', 'ttyS0', 'console', or null when the process has no controlling terminal. */
export function ttyName(ttyNr: number): string | null {
  if (ttyNr === 0) return null;
  const [major, minor] = splitDevice(ttyNr);
  // Unix98 pty slaves use majors 136–143, 256 minors each.
  if (major >= 136 && major <= 143) return `pts/${(major - 136) * 256 + minor}`;
  if (major === 4) return minor < 64 ? `tty${minor}` : `ttyS${minor - 64}`;
  if (major === 5 && minor === 0) return 'tty';
  if (major === 5 && minor === 1) return 'console';
  return `${major}:${minor}`;
}
