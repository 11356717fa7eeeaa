// The no-lost-write client for the real-Hadoop tests: writes numbered files through the HA
// nameservice (ConfiguredFailoverProxyProvider, as an application would) and records each one
// whose close() returned, i.e. each write HDFS acknowledged; `verify` then reads every
// acknowledged file back and compares its content. It runs in the JVM because it must use
// Hadoop's own client and failover proxy; zkfc itself stays TypeScript.
//
//   java -cp CONF:LIB/*:writer.jar zkfc.test.Writer write <hdfs-dir> <ack-file> <max-seconds>
//   java -cp CONF:LIB/*:writer.jar zkfc.test.Writer verify <hdfs-dir> <ack-file>
//
// write: one file per iteration, content derived from its number; an ack line "ACK <n>" is
// appended and flushed after close() returns. A failed write (any exception) is logged
// ("FAIL <n> <error>") and not acknowledged. Stops after max-seconds or on SIGTERM (the shutdown
// hook ends the loop between files). verify: prints "VERIFIED <count>" and exits 0, or
// "LOST <n> <why>" lines and exits 1.
package zkfc.test;

import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

public final class Writer {
  private static volatile boolean stopping = false;

  private Writer() {}

  static byte[] contentOf(long n) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 64; i++) b.append("file ").append(n).append(" line ").append(i).append('\n');
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  static Path fileOf(String dir, long n) {
    return new Path(dir, String.format("f-%08d", n));
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println("usage: Writer write <hdfs-dir> <ack-file> <max-seconds> | verify <hdfs-dir> <ack-file>");
      System.exit(2);
    }
    Configuration conf = new Configuration();
    FileSystem fs = FileSystem.get(conf);
    if (args[0].equals("write")) System.exit(write(fs, args[1], args[2], Long.parseLong(args[3])));
    else if (args[0].equals("verify")) System.exit(verify(fs, args[1], args[2]));
    System.err.println("unknown mode " + args[0]);
    System.exit(2);
  }

  static int write(FileSystem fs, String dir, String ackFile, long maxSeconds) throws IOException {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stopping = true));
    fs.mkdirs(new Path(dir));
    long deadline = System.currentTimeMillis() + maxSeconds * 1000;
    try (PrintStream acks = new PrintStream(new FileOutputStream(ackFile, true), true, "UTF-8")) {
      for (long n = 1; !stopping && System.currentTimeMillis() < deadline; n++) {
        try {
          try (FSDataOutputStream out = fs.create(fileOf(dir, n), true)) {
            out.write(contentOf(n));
            out.hsync();
          }
          acks.println("ACK " + n);
        } catch (IOException | RuntimeException e) {
          // Not acknowledged, whatever went wrong. RuntimeException too: when close() rethrows the
          // exception hsync() threw (DFSOutputStream keeps its last exception), try-with-resources
          // fails with IllegalArgumentException "Self-suppression not permitted".
          String why = String.valueOf(e) + (e.getCause() == null ? "" : " caused by " + e.getCause());
          acks.println("FAIL " + n + " " + why.replace('\n', ' '));
        }
      }
    }
    return 0;
  }

  static int verify(FileSystem fs, String dir, String ackFile) throws IOException {
    List<String> lines = Files.readAllLines(Paths.get(ackFile), StandardCharsets.UTF_8);
    int ok = 0;
    int lost = 0;
    for (String line : lines) {
      if (!line.startsWith("ACK ")) continue;
      long n = Long.parseLong(line.substring(4).trim());
      Path p = fileOf(dir, n);
      try {
        byte[] got = readAll(fs, p);
        if (Arrays.equals(got, contentOf(n))) ok++;
        else {
          lost++;
          System.out.println("LOST " + n + " content differs (" + got.length + " bytes)");
        }
      } catch (IOException e) {
        lost++;
        System.out.println("LOST " + n + " " + String.valueOf(e).replace('\n', ' '));
      }
    }
    System.out.println("VERIFIED " + ok);
    return lost == 0 ? 0 : 1;
  }

  static byte[] readAll(FileSystem fs, Path p) throws IOException {
    try (InputStream in = fs.open(p); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
      in.transferTo(out);
      return out.toByteArray();
    }
  }

}
