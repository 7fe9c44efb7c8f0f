/** Success, or a graceful stop on SIGTERM/SIGINT. */
export const EXIT_OK = 0;
/** A runtime failure: the reporter could not start, a port was taken, … */
export const EXIT_FAILURE = 1;
/** A usage or config error: a bad flag, a bad config file. */
export const EXIT_USAGE = 2;
