package io.github.brazeodp.braze;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Run by {@link HostileArchivesProcessTest} in a child JVM with a small heap: streams each hostile
 * input with the default limits and prints one line per case. Exits 0 when every case ended in its
 * expected clean error or count, 3 on a wrong outcome, 4 on an OutOfMemoryError.
 */
final class HostileArchivesMain {
  /** Compressed MiB of the ZIP bomb entry: about 10 MB, standing for about 10 GiB. */
  static final int ZIP_BOMB_BLOCKS = 10 * 1024;

  /** Blocks of the gzip bomb inside the ZIP: about 2 MB standing for 2 GiB. */
  static final int GZIP_BOMB_BLOCKS = 2 * 1024;

  static final long LONG_LINE_BYTES = 200L * 1024 * 1024;

  private HostileArchivesMain() {}

  public static void main(String[] args) {
    boolean ok = true;
    try {
      // Every case runs even when an earlier one fails, so the output shows all of them.
      ok &= refused("zip-bomb", HostileArchives.zipBomb("bomb.txt", ZIP_BOMB_BLOCKS));
      ok &=
          refused("gzip-in-zip", HostileArchives.gzipBombInZip("users.json.gz", GZIP_BOMB_BLOCKS));
      ok &=
          oneGoodOneMalformed(
              "long-line", HostileArchives.longLine(LONG_LINE_BYTES, ExportsTest.userLine(1)));
      ok &= oneGoodOneMalformed("invalid-utf8", invalidUtf8());
      ok &= oddNames();
    } catch (OutOfMemoryError e) {
      System.out.println("OOM " + e.getMessage());
      System.exit(4);
      return;
    } catch (IOException | RuntimeException e) {
      System.out.println("unexpected " + e);
      System.exit(3);
      return;
    }
    System.out.println("heap max " + Runtime.getRuntime().maxMemory());
    System.exit(ok ? 0 : 3);
  }

  private static boolean refused(String label, InputStream in) {
    try (ExportUserStream users = ExportUserStream.open(in, label, ExportReadOptions.defaults())) {
      long count = users.stream().count();
      System.out.println(label + " NOT refused, read " + count);
      return false;
    } catch (BrazeExportException e) {
      System.out.println(label + " refused: " + e.getMessage());
      return true;
    }
  }

  private static boolean oneGoodOneMalformed(String label, InputStream in) {
    StringBuilder problems = new StringBuilder();
    try (ExportUserStream users =
        ExportUserStream.open(
            in,
            label + ".ndjson",
            ExportReadOptions.defaults().skipMalformed(e -> problems.append(e.getMessage())))) {
      List<String> ids = users.stream().map(ExportedUser::externalId).toList();
      System.out.println(
          label + " users=" + ids + " malformed=" + users.malformedLines() + " " + problems);
      return ids.equals(List.of("u1")) && users.malformedLines() == 1;
    }
  }

  private static InputStream invalidUtf8() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes("{\"external_id\":\"u0\",\"email\":\"x".getBytes(StandardCharsets.UTF_8));
    out.writeBytes(new byte[] {(byte) 0xff, (byte) 0xfe});
    out.writeBytes(
        ("@example.com\"}\n" + ExportsTest.userLine(1) + "\n").getBytes(StandardCharsets.UTF_8));
    return new ByteArrayInputStream(out.toByteArray());
  }

  private static boolean oddNames() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (String name : List.of("../evil.txt", "dir/", "notes.csv", "ok/users.txt")) {
        zip.putNextEntry(new ZipEntry(name));
        if (!name.endsWith("/")) {
          zip.write((ExportsTest.userLine(name.length()) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        zip.closeEntry();
      }
    }
    try (ExportUserStream users =
        ExportUserStream.open(
            new ByteArrayInputStream(bytes.toByteArray()),
            "odd.zip",
            ExportReadOptions.defaults())) {
      long count = users.stream().count();
      System.out.println("odd-names users=" + count + " skipped=" + users.skippedEntries());
      return count == 1 && users.skippedEntries().size() == 3;
    }
  }
}
