package io.github.brazeodp.samples.cli;

import io.github.brazeodp.sync.SyncReport;
import io.github.brazeodp.sync.state.ActivityRecord;

/** The host's exit codes, documented in the README. */
final class ExitCodes {
  static final int OK = 0;
  static final int FAILED = 1;
  static final int PARTIAL = 2;
  static final int USAGE = 64;

  /** Another run holds the flow's run lock: busy, try later (EX_TEMPFAIL). */
  static final int BUSY = 75;

  private ExitCodes() {}

  static int of(ActivityRecord.Status status) {
    return switch (status) {
      case SUCCEEDED -> OK;
      case PARTIAL -> PARTIAL;
      case FAILED -> FAILED;
    };
  }

  static int of(SyncReport report) {
    return of(report.status());
  }

  /** Returns the worst of several codes: failed beats partial beats ok. */
  static int worst(int a, int b) {
    if (a == FAILED || b == FAILED) {
      return FAILED;
    }
    return Math.max(a, b);
  }
}
