#!/usr/bin/perl
# Mail::DKIM (Debian libmail-dkim-perl) as an interop peer, many messages
# per run.  Debian 12's Mail::DKIM signs and verifies RSA only (no
# ed25519-sha256): ed25519 signatures come out as "invalid".
#
#   maildkim-peer.pl sign < JOBS
#       JOBS: lines "KEYFILE DOMAIN SELECTOR HCANON/BCANON IN OUT"; sign
#       each IN (rsa-sha256, Mail::DKIM's default header choice), write
#       OUT with the signature on top in IN's own line ending.
#   maildkim-peer.pl verify ZONE FILE ...
#       print "FILE RESULT ..." with one result per signature (pass, fail,
#       invalid); keys come from the TXT records of ZONE (one record a
#       line) through a fake resolver, never the network; exit 1 if any
#       signature did not pass.
use strict;
use warnings;

use Mail::DKIM::Signer;
use Mail::DKIM::Verifier;
use Mail::DKIM::DNS;
use Net::DNS;

# A resolver answering TXT queries from a hash; anything else: NXDOMAIN.
package FakeResolver;

sub new {
	my ($class, $recs) = @_;
	return bless { recs => $recs }, $class;
}

sub send {
	my ($self, $name, $type) = @_;
	my $p = Net::DNS::Packet->new($name, $type, 'IN');
	my $key = lc $name;
	$key =~ s/\.$//;
	$p->header->qr(1);
	if ($type eq 'TXT' && exists $self->{recs}{$key}) {
		$p->push(answer => Net::DNS::RR->new(name => $name,
		    type => 'TXT', txtdata => $self->{recs}{$key}));
	} else {
		$p->header->rcode('NXDOMAIN');
	}
	return $p;
}

sub errorstring { return 'NOERROR'; }

package main;

sub read_zone {
	my ($path) = @_;
	my %recs;
	open(my $fh, '<', $path) or die "$path: $!\n";
	while (my $line = <$fh>) {
		next if $line =~ /^\s*;/;
		next unless $line =~ /^(\S+)\s+(?:\d+\s+)?(?:IN\s+)?TXT\s+(.*)$/;
		my ($name, $rest) = (lc $1, $2);
		$name =~ s/\.$//;
		my @strings = ($rest =~ /"((?:[^"\\]|\\.)*)"/g);
		$recs{$name} = [@strings];
	}
	return \%recs;
}

# Feed a message as CRLF lines, as on the wire (dkimproxy does the same).
sub feed {
	my ($dkim, $path) = @_;
	open(my $fh, '<:raw', $path) or die "$path: $!\n";
	my $first = 1;
	my $eol = "\n";
	while (my $line = <$fh>) {
		$eol = "\r\n" if $first && $line =~ /\r\n$/;
		$first = 0;
		$line =~ s/\r?\n$//;
		$dkim->PRINT("$line\r\n");
	}
	close($fh);
	$dkim->CLOSE;
	return $eol;
}

sub sign_one {
	my ($key, $domain, $selector, $canon, $in, $out) = @_;
	my $dkim = Mail::DKIM::Signer->new(Algorithm => 'rsa-sha256',
	    Method => $canon, Domain => $domain, Selector => $selector,
	    KeyFile => $key);
	my $eol = feed($dkim, $in);
	my $sig = $dkim->signature->as_string;
	$sig =~ s/\r?\n/$eol/g;
	open(my $ifh, '<:raw', $in) or die "$in: $!\n";
	open(my $ofh, '>:raw', $out) or die "$out: $!\n";
	print $ofh $sig, $eol;
	local $/;
	print $ofh scalar(<$ifh>);
	close($ofh) or die "$out: $!\n";
}

sub sign {
	while (my $line = <STDIN>) {
		my @job = split ' ', $line;
		die "bad job: $line" unless @job == 6;
		sign_one(@job);
	}
	return 0;
}

sub verify {
	my ($zone, @files) = @_;
	Mail::DKIM::DNS::resolver(FakeResolver->new(read_zone($zone)));
	my $bad = 0;
	for my $path (@files) {
		my $dkim = Mail::DKIM::Verifier->new();
		feed($dkim, $path);
		my @res = map { $_->result } $dkim->signatures;
		$bad += grep { $_ ne 'pass' } @res;
		print "$path ", (@res ? join(' ', @res) : 'none'), "\n";
	}
	return $bad ? 1 : 0;
}

my $cmd = shift @ARGV // '';
if ($cmd eq 'sign' && @ARGV == 0) {
	exit sign();
} elsif ($cmd eq 'verify' && @ARGV >= 2) {
	exit verify(@ARGV);
}
die "usage: maildkim-peer.pl sign < JOBS\n" .
    "       maildkim-peer.pl verify ZONE FILE ...\n";
