package dev.tokenarena.simulator;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the default fleet until Ctrl-C:
 * {@code --port-base 18080 --regions us-east:10,eu-central:40,ap-southeast:90}. Region {@code i}
 * listens on {@code port-base + i}; the number after the colon is its network delay in ms.
 */
public final class SimulatorMain {

  static final String DEFAULT_REGIONS = "us-east:10,eu-central:40,ap-southeast:90";
  static final int DEFAULT_PORT_BASE = 18080;

  private SimulatorMain() {
  }

  public static void main(String[] args) throws InterruptedException {
    List<RegionListener> regions;
    try {
      regions = parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("simulator: " + e.getMessage());
      System.err.println("usage: SimulatorMain [--port-base " + DEFAULT_PORT_BASE + "] [--regions "
          + DEFAULT_REGIONS + "]");
      System.exit(2);
      return;
    }
    Simulator simulator = Simulator.start(DefaultFleet.specs(), regions);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      simulator.close();
      stopped.countDown();
    }, "simulator-shutdown"));
    for (String region : simulator.regions()) {
      for (String id : simulator.endpointIds()) {
        System.out.println(region + "\t" + id + "\t" + simulator.baseUrl(region, id));
      }
    }
    System.out.println("simulator running; Ctrl-C to stop");
    stopped.await();
  }

  /** Parses the command line into listeners; throws with a message naming the bad argument. */
  static List<RegionListener> parse(String[] args) {
    int portBase = DEFAULT_PORT_BASE;
    String regions = DEFAULT_REGIONS;
    for (int i = 0; i < args.length; i++) {
      String flag = args[i];
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(flag + " needs a value");
      }
      String value = args[++i];
      switch (flag) {
        case "--port-base" -> {
          try {
            portBase = Integer.parseInt(value);
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--port-base must be an integer, got " + value);
          }
        }
        case "--regions" -> regions = value;
        default -> throw new IllegalArgumentException("unknown option " + flag);
      }
    }
    List<RegionListener> out = new ArrayList<>();
    String[] parts = regions.split(",");
    for (int i = 0; i < parts.length; i++) {
      String[] nameDelay = parts[i].trim().split(":");
      if (nameDelay.length != 2) {
        throw new IllegalArgumentException("--regions entries are name:delayMs, got '" + parts[i] + "'");
      }
      double delay;
      try {
        delay = Double.parseDouble(nameDelay[1]);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--regions delay of " + nameDelay[0]
            + " must be a number of ms, got " + nameDelay[1]);
      }
      out.add(new RegionListener(nameDelay[0], portBase == 0 ? 0 : portBase + i, delay));
    }
    return out;
  }
}
