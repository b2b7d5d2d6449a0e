#!/usr/bin/perl
# A whole loopback connection a loop turn, for callgrind (docs/performance.md, "Perl"):
# connect, accept, close both. Perl pays an unwind at the close of a tracked connection (is it
# the program's close or Perl freeing the handle? docs/languages.md). bench/perl.sh runs it at
# N = 100 and 300, natively and preloaded, and divides the difference by 200.
use strict;
use warnings;
use Socket;

my $n = shift // 100;
socket(my $srv, PF_INET, SOCK_STREAM, 0) or die "socket: $!";
bind($srv, pack_sockaddr_in(0, INADDR_LOOPBACK)) or die "bind: $!";
listen($srv, 128) or die "listen: $!";
my $addr = getsockname($srv);
for (1 .. $n) {
	socket(my $c, PF_INET, SOCK_STREAM, 0) or die "socket: $!";
	connect($c, $addr) or die "connect: $!";
	accept(my $s, $srv) or die "accept: $!";
	close($c);
	close($s);
}
