import { ApiProperty } from '@nestjs/swagger';

/** Who a site API key is: its site and its own name (Zapier labels the connection with them). */
export class MeDto {
  @ApiProperty({ description: 'the site this key acts for' }) site_id!: string;
  @ApiProperty({ example: 'www.example.com' }) hostname!: string;
  @ApiProperty({ example: 'Example' }) name!: string;
  @ApiProperty() key_id!: string;
  @ApiProperty({ example: 'Zapier', description: 'the name the admin gave the key' }) key_name!: string;
}
