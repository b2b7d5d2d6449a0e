# A short Perl script: leak() lets two connected sockets go out of scope without close(), and
# Perl closes them itself (gc_closed: run exits 23); clean() closes its socket (not reported).
use strict;
use warnings;
use IO::Socket::INET;

my $l = IO::Socket::INET->new(Listen => 5, LocalAddr => '127.0.0.1:0', Proto => 'tcp') or die;
my $port = $l->sockport;

sub leak {
    my $c = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port", Proto => 'tcp') or die;
    my $s = $l->accept or die;
}

sub clean {
    my $c = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port", Proto => 'tcp') or die;
    my $s = $l->accept or die;
    close $s;
    close $c;
}

leak();
clean();
