package io.strata.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the numbers were measured on: cores, memory, JVM, OS. */
public final class Machine {
  private Machine() {}

  /** Physical memory in GiB, from the OS bean (NaN when the JVM does not say). */
  public static double memoryGiB() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getTotalMemorySize() / (double) (1L << 30);
    }
    return Double.NaN;
  }

  /** The CPU model from /proc/cpuinfo, or "unknown CPU". */
  public static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return "unknown CPU";
  }

  /** One line: cores, memory, CPU, JVM, OS. */
  public static String describe() {
    return String.format(java.util.Locale.ROOT, "%d cores (%s), %.0f GiB memory, %s %s (%s), %s %s %s",
        Runtime.getRuntime().availableProcessors(), cpuModel(), memoryGiB(),
        System.getProperty("java.vm.name"), System.getProperty("java.version"),
        System.getProperty("java.vendor"), System.getProperty("os.name"),
        System.getProperty("os.version"), System.getProperty("os.arch"));
  }
}
