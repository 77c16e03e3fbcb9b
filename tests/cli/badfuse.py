#!/usr/bin/python3
"""badfuse.py BACKING MOUNTPOINT BAD... - a FUSE file system of one
read-only file, MOUNTPOINT/disk.img, whose bytes are BACKING's except in
the BAD ranges (OFFSET:LENGTH, in bytes), where every read that touches
them fails with EIO: a disk with unreadable sectors, for t_image. Mounted
direct_io, so each read reaches this server at the offset and length the
reader asked for. Runs in the foreground until unmounted."""
import errno
import os
import stat
import sys

import fusepy as fuse


class BadDisk(fuse.Operations):
    def __init__(self, backing, bad):
        self.fd = os.open(backing, os.O_RDONLY)
        self.size = os.fstat(self.fd).st_size
        self.bad = bad
        self.reads = 0

    def getattr(self, path, fh=None):
        if path == '/':
            return {'st_mode': stat.S_IFDIR | 0o555, 'st_nlink': 2}
        if path == '/disk.img':
            return {'st_mode': stat.S_IFREG | 0o444, 'st_nlink': 1, 'st_size': self.size}
        raise fuse.FuseOSError(errno.ENOENT)

    def readdir(self, path, fh):
        return ['.', '..', 'disk.img']

    def open(self, path, flags):
        if path != '/disk.img':
            raise fuse.FuseOSError(errno.ENOENT)
        return 0

    def read(self, path, size, offset, fh):
        for off, length in self.bad:
            if offset < off + length and off < offset + size:
                raise fuse.FuseOSError(errno.EIO)
        return os.pread(self.fd, size, offset)


def main():
    backing, mnt = sys.argv[1], sys.argv[2]
    bad = [tuple(int(x) for x in a.split(':')) for a in sys.argv[3:]]
    fuse.FUSE(BadDisk(backing, bad), mnt, foreground=True, ro=True, direct_io=True,
              nothreads=True, allow_other=True)


if __name__ == '__main__':
    main()
