#!/usr/bin/perl
# Mail::DKIM (libmail-dkim-perl), a peer, signs stdin for the interop
# tests of tests/dkimverify.bats:
#   mail-dkim-sign.pl KEYFILE ALGORITHM METHOD < message > signed
# d=example.com, s=rsa, h=from:to:subject:date:message-id; the
# DKIM-Signature goes on top, the message follows unchanged.
use strict; use warnings;
use Mail::DKIM::Signer;
my ($key, $alg, $method) = @ARGV;
my $d = Mail::DKIM::Signer->new(Algorithm => $alg, Method => $method,
    Domain => "example.com", Selector => "rsa", KeyFile => $key,
    Headers => "from:to:subject:date:message-id");
binmode STDIN; binmode STDOUT;
my @lines = <STDIN>;
for (@lines) { my $l = $_; $l =~ s/\r?\n\z/\r\n/; $d->PRINT($l); }
$d->CLOSE;
print "DKIM-Signature: ", $d->signature->as_string =~ s/^DKIM-Signature:\s*//r, "\r\n", @lines;
