package dev.mooring.firstboot.apply;

/** A file's mode bits and numeric owner, as they are stored (names resolve only inside the root). */
public record FileAttributes(int mode, int uid, int gid) {

    public static final FileAttributes ROOT_0644 = new FileAttributes(0644, 0, 0);
    public static final FileAttributes ROOT_0755 = new FileAttributes(0755, 0, 0);

    public FileAttributes {
        if ((mode & ~07777) != 0) {
            throw new IllegalArgumentException("mode: expected bits within 07777, got 0" + Integer.toOctalString(mode));
        }
        if (uid < 0 || gid < 0) {
            throw new IllegalArgumentException("uid/gid: expected >= 0, got " + uid + ":" + gid);
        }
    }

    @Override
    public String toString() {
        return "0" + Integer.toOctalString(mode) + " " + uid + ":" + gid;
    }
}
