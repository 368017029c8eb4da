package io.arbiter.bench;

import com.sun.management.GarbageCollectorMXBean;
import com.sun.management.GcInfo;
import com.sun.tools.attach.VirtualMachine;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.Set;
import java.util.stream.Collectors;
import javax.management.MBeanServerConnection;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * A started server JVM seen over JMX, through the attach API (its local management agent, started on demand; the same
 * user only, nothing listens on a port). {@link #heapAfterFullGc()} is the heap as the collector itself left it, so
 * what the server allocates while the figure is read does not count.
 */
final class ServerJvm implements AutoCloseable {

  private final JMXConnector connector;
  private final MemoryMXBean memory;
  private final Set<String> heapPools;
  private final java.util.List<GarbageCollectorMXBean> collectors;

  private ServerJvm(JMXConnector connector) throws Exception {
    this.connector = connector;
    MBeanServerConnection server = connector.getMBeanServerConnection();
    this.memory = ManagementFactory.newPlatformMXBeanProxy(server, ManagementFactory.MEMORY_MXBEAN_NAME,
        MemoryMXBean.class);
    this.heapPools = ManagementFactory.getPlatformMXBeans(server, MemoryPoolMXBean.class).stream()
        .filter(p -> p.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
    this.collectors = ManagementFactory.getPlatformMXBeans(server, GarbageCollectorMXBean.class);
  }

  static ServerJvm attach(long pid) throws Exception {
    VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
    String address;
    try {
      address = vm.startLocalManagementAgent();
    } finally {
      vm.detach();
    }
    return new ServerJvm(JMXConnectorFactory.connect(new JMXServiceURL(address)));
  }

  /** A full collection ({@code System.gc()} in the server), then the heap pools' usage right after it, in bytes. */
  long heapAfterFullGc() {
    long before = System.currentTimeMillis();
    memory.gc();
    GcInfo latest = null;
    for (GarbageCollectorMXBean collector : collectors) {
      GcInfo info = collector.getLastGcInfo();
      if (info != null && (latest == null || info.getEndTime() > latest.getEndTime())) {
        latest = info;
      }
    }
    if (latest == null) {
      return memory.getHeapMemoryUsage().getUsed();
    }
    long used = 0;
    for (var pool : latest.getMemoryUsageAfterGc().entrySet()) {
      if (heapPools.contains(pool.getKey())) {
        MemoryUsage usage = pool.getValue();
        used += usage.getUsed();
      }
    }
    return used;
  }

  @Override
  public void close() throws Exception {
    connector.close();
  }
}
