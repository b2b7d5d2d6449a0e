# A Perl server that reads to EOF and forgets close(): three leaks, one site (perl's first
# accept goes through another internal path than the next ones).
use strict;
use warnings;
use IO::Socket::INET;

my $l = IO::Socket::INET->new(Listen => 5, LocalAddr => '127.0.0.1:0', Proto => 'tcp') or die;
my $port = $l->sockport;
my @kept;
for my $i (1 .. 3) {
    my $c = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port", Proto => 'tcp') or die;
    my $s = $l->accept or die;
    close $c;
    my $buf;
    sysread($s, $buf, 10);    # EOF
    push @kept, $s;           # forgot close
}

# Past grace_ms: until the library has written the three leak records to this process's log
# (PREFIX.PID of log_path in SOCKLEAK_OPTIONS, which sockleak run sets), with a deadline.
my ($prefix) = reverse(($ENV{SOCKLEAK_OPTIONS} // '') =~ /(?:^|:)log_path=([^:]*)/g);
my $deadline = time + 20;
while (time < $deadline) {
    my $n = 0;
    if (defined $prefix && open(my $log, '<', "$prefix.$$")) {
        $n = grep { /"event":"leak"/ } <$log>;
        close $log;
    }
    last if $n >= 3;
    select(undef, undef, undef, 0.02);
}
